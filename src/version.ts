/** The Redis version we implement; clients branch on it (HELLO, INFO server). */
export const REDIS_VERSION = "7.0.15";
export const TSREDIS_VERSION = "0.1.0";
