// zlib for the results store (NetauditStore): observations and inventories are kept
// deflated. compress2 and uncompress are plain functions; the header is here so that
// the module brings zlib in, and the target links libz.
#ifndef NA_ZLIB_H
#define NA_ZLIB_H
#include <zlib.h>
#endif
