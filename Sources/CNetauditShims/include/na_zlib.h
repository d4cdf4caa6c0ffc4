// zlib for the results store (NetauditStore): observations and inventories are kept
// deflated, a run's observation against the one before it of the same endpoint or link
// (a preset dictionary), which shrinks a day's near-identical copy to a few bytes.
#ifndef NA_ZLIB_H
#define NA_ZLIB_H
#include <stddef.h>
#include <zlib.h>

/// Deflates `input` against `dictionary` (none when its length is 0) into `output`, whose
/// room is `*output_length` and which it sets to the bytes written; Z_OK or an error.
int na_deflate_with_dictionary(const unsigned char *input, size_t input_length,
                               const unsigned char *dictionary, size_t dictionary_length,
                               unsigned char *output, size_t *output_length);

/// Inflates what `na_deflate_with_dictionary` made, with the same dictionary.
int na_inflate_with_dictionary(const unsigned char *input, size_t input_length,
                               const unsigned char *dictionary, size_t dictionary_length,
                               unsigned char *output, size_t *output_length);
#endif
