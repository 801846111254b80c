// Registers the RDB codecs of every non-string type.

import "./list.ts";
import "./hash.ts";
import "./set.ts";
import "./zset.ts";
import "./stream.ts";
