/*
 * zlib-format block compression with libdeflate, as a Node-API addon.
 *
 * mtbl's zlib blocks are whole zlib streams (RFC 1950) of one block each,
 * compressed and decompressed whole: libdeflate's buffer-to-buffer API is
 * made for that, and at the same level runs 2-3x faster than zlib's stream
 * API (and Node's deflateSync, which also sets a stream up per call). Its
 * output is a valid zlib stream any inflate reads (libmtbl's included); it is
 * not byte-identical to zlib's.
 *
 *   compress(src, level, dst)  -> bytes written to dst, 0 when they did not fit
 *   decompress(src, dst)       -> bytes written to dst, -1 when dst is too small,
 *                                 -2 when src is not a valid zlib stream
 *   bound(level, n)            -> the most compress() can write for n bytes
 *
 * Compressors (one per level, 1-12) and the decompressor are made on first
 * use and kept per Node environment (worker threads get their own).
 */
#include <libdeflate.h>
#include <node_api.h>
#include <stdlib.h>

typedef struct {
  struct libdeflate_compressor *c[13];
  struct libdeflate_decompressor *d;
} State;

static void state_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  State *s = data;
  for (int i = 0; i < 13; i++)
    if (s->c[i]) libdeflate_free_compressor(s->c[i]);
  if (s->d) libdeflate_free_decompressor(s->d);
  free(s);
}

static State *state(napi_env env) {
  void *s = NULL;
  napi_get_instance_data(env, &s);
  return s;
}

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_range_error(env, NULL, msg);
  return NULL;
}

static int bytes(napi_env env, napi_value v, void **data, size_t *len) {
  bool is;
  napi_typedarray_type t;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  return napi_get_typedarray_info(env, v, &t, len, data, NULL, NULL) == napi_ok && t == napi_uint8_array;
}

static int level_of(napi_env env, napi_value v, int32_t *lv) {
  return napi_get_value_int32(env, v, lv) == napi_ok && *lv >= 1 && *lv <= 12;
}

static struct libdeflate_compressor *compressor(napi_env env, int lv) {
  State *s = state(env);
  if (!s) return NULL;
  if (!s->c[lv]) s->c[lv] = libdeflate_alloc_compressor(lv);
  return s->c[lv];
}

static napi_value number(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

static napi_value js_compress(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *src, *dst;
  size_t slen, dlen;
  int32_t lv;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) return fail(env, "compress(src, level, dst)");
  if (!bytes(env, argv[0], &src, &slen) || !bytes(env, argv[2], &dst, &dlen)) return fail(env, "compress: src and dst must be Uint8Arrays");
  if (!level_of(env, argv[1], &lv)) return fail(env, "compress: level must be 1 to 12");
  struct libdeflate_compressor *c = compressor(env, lv);
  if (!c) {
    napi_throw_error(env, NULL, "compress: out of memory");
    return NULL;
  }
  return number(env, (double)libdeflate_zlib_compress(c, src, slen, dst, dlen));
}

static napi_value js_decompress(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  void *src, *dst;
  size_t slen, dlen, got = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) return fail(env, "decompress(src, dst)");
  if (!bytes(env, argv[0], &src, &slen) || !bytes(env, argv[1], &dst, &dlen)) return fail(env, "decompress: src and dst must be Uint8Arrays");
  State *s = state(env);
  if (s && !s->d) s->d = libdeflate_alloc_decompressor();
  if (!s || !s->d) {
    napi_throw_error(env, NULL, "decompress: out of memory");
    return NULL;
  }
  /* bytes after the end of the stream are ignored, as zlib's inflate (and node:zlib) ignore them */
  enum libdeflate_result r = libdeflate_zlib_decompress(s->d, src, slen, dst, dlen, &got);
  if (r == LIBDEFLATE_INSUFFICIENT_SPACE) return number(env, -1);
  if (r != LIBDEFLATE_SUCCESS) return number(env, -2);
  return number(env, (double)got);
}

static napi_value js_bound(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t lv;
  double n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) return fail(env, "bound(level, n)");
  if (!level_of(env, argv[0], &lv)) return fail(env, "bound: level must be 1 to 12");
  if (napi_get_value_double(env, argv[1], &n) != napi_ok || !(n >= 0 && n <= 4294967295.0)) return fail(env, "bound: bad length");
  struct libdeflate_compressor *c = compressor(env, lv);
  if (!c) {
    napi_throw_error(env, NULL, "bound: out of memory");
    return NULL;
  }
  return number(env, (double)libdeflate_zlib_compress_bound(c, (size_t)n));
}

NAPI_MODULE_INIT() {
  State *s = calloc(1, sizeof *s);
  if (!s || napi_set_instance_data(env, s, state_free, NULL) != napi_ok) {
    free(s);
    return exports;
  }
  napi_value f;
  napi_create_function(env, "compress", NAPI_AUTO_LENGTH, js_compress, NULL, &f);
  napi_set_named_property(env, exports, "compress", f);
  napi_create_function(env, "decompress", NAPI_AUTO_LENGTH, js_decompress, NULL, &f);
  napi_set_named_property(env, exports, "decompress", f);
  napi_create_function(env, "bound", NAPI_AUTO_LENGTH, js_bound, NULL, &f);
  napi_set_named_property(env, exports, "bound", f);
  return exports;
}
