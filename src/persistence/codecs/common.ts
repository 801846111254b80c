// Shared by the type codecs.

/** AOF_REWRITE_ITEMS_PER_CMD: elements per RPUSH/SADD/ZADD/HMSET of an AOF rewrite. */
export const ITEMS_PER_COMMAND = 64;
