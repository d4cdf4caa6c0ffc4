#include "na_zlib.h"
#include <string.h>

// deflateInit and inflateInit are macros (they pass zlib's version and the stream's
// size); a preset dictionary needs the stream API, so both directions are one call here.

int na_deflate_with_dictionary(const unsigned char *input, size_t input_length,
                               const unsigned char *dictionary, size_t dictionary_length,
                               unsigned char *output, size_t *output_length) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (deflateInit(&stream, 6) != Z_OK) return Z_STREAM_ERROR;
    if (dictionary_length > 0 && deflateSetDictionary(&stream, dictionary, (uInt)dictionary_length) != Z_OK) {
        deflateEnd(&stream);
        return Z_STREAM_ERROR;
    }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)input_length;
    stream.next_out = output;
    stream.avail_out = (uInt)*output_length;
    int status = deflate(&stream, Z_FINISH);
    *output_length = stream.total_out;
    deflateEnd(&stream);
    return status == Z_STREAM_END ? Z_OK : Z_BUF_ERROR;
}

int na_inflate_with_dictionary(const unsigned char *input, size_t input_length,
                               const unsigned char *dictionary, size_t dictionary_length,
                               unsigned char *output, size_t *output_length) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit(&stream) != Z_OK) return Z_STREAM_ERROR;
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)input_length;
    stream.next_out = output;
    stream.avail_out = (uInt)*output_length;
    int status = inflate(&stream, Z_FINISH);
    if (status == Z_NEED_DICT) {
        if (dictionary_length == 0 || inflateSetDictionary(&stream, dictionary, (uInt)dictionary_length) != Z_OK) {
            inflateEnd(&stream);
            return Z_DATA_ERROR;
        }
        status = inflate(&stream, Z_FINISH);
    }
    *output_length = stream.total_out;
    inflateEnd(&stream);
    return status == Z_STREAM_END ? Z_OK : Z_DATA_ERROR;
}
