/*
 * nmsg's zlib containers deflated with the system zlib, as a Node-API addon.
 *
 * libnmsg compresses each container as one zlib stream at the default level
 * with the zlib it links (Debian's zlib1g). Deflate output depends on the
 * implementation, so to write the bytes nmsgtool writes we use that same
 * library: Node's own zlib is Chromium's fork (other bytes), and pako (the
 * portable fallback in deflater.ts) is a JavaScript port that gives the same
 * bytes at about half the speed.
 *
 *   deflateInto(raw, out, at) -> where the stream ends in out, or -1 when out
 *                                (from at) is too small
 *   version()                 -> the system zlib's zlibVersion()
 *
 * Node's binary exports its own zlib's symbols, and a library linked with
 * -lz would have its calls bound to them: the system libz.so.1 is opened
 * with dlopen(RTLD_DEEPBIND) instead, so it and its internal calls use its
 * own code, and its functions are taken with dlsym.
 *
 * One z_stream (deflateInit2: default level, 15-bit window, memLevel 8,
 * default strategy, as deflateInit) is made on first use and reset for each
 * container; it is kept per Node environment (worker threads get their own).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <node_api.h>
#include <stdlib.h>
#include <zlib.h>

/* the system zlib's functions (null when libz.so.1 could not be opened) */
static struct {
  int (*init2)(z_streamp, int, int, int, int, int, const char *, int);
  int (*reset)(z_streamp);
  int (*deflate)(z_streamp, int);
  int (*end)(z_streamp);
  const char *(*version)(void);
} zl;

static int load_zlib(void) {
  if (zl.deflate) return 1;
  void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (!h) return 0;
  *(void **)&zl.init2 = dlsym(h, "deflateInit2_");
  *(void **)&zl.reset = dlsym(h, "deflateReset");
  *(void **)&zl.end = dlsym(h, "deflateEnd");
  *(void **)&zl.version = dlsym(h, "zlibVersion");
  *(void **)&zl.deflate = dlsym(h, "deflate");
  if (!zl.init2 || !zl.reset || !zl.end || !zl.version || !zl.deflate) {
    zl.deflate = NULL;
    return 0;
  }
  return 1;
}

typedef struct {
  z_stream z;
  int ready;
} State;

static void state_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  State *s = data;
  if (s->ready) zl.end(&s->z);
  free(s);
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

static napi_value number(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

static napi_value js_deflate_into(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) return fail(env, "deflateInto(raw, out, at)");
  void *raw, *out;
  size_t rawLen, outLen;
  double at;
  if (!bytes(env, argv[0], &raw, &rawLen) || !bytes(env, argv[1], &out, &outLen)) return fail(env, "deflateInto: raw and out must be Uint8Arrays");
  if (napi_get_value_double(env, argv[2], &at) != napi_ok || !(at >= 0) || at > (double)outLen || at != (double)(size_t)at)
    return fail(env, "deflateInto: at must be an offset within out");
  if (rawLen > 0xffffffffu || outLen - (size_t)at > 0xffffffffu) return fail(env, "deflateInto: buffers over 4 GiB");
  State *s = NULL;
  napi_get_instance_data(env, (void **)&s);
  if (!s) return fail(env, "deflateInto: no state");
  if (!s->ready) {
    if (zl.init2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zl.version(), (int)sizeof(z_stream)) != Z_OK) {
      napi_throw_error(env, NULL, "zlib deflateInit2 failed");
      return NULL;
    }
    s->ready = 1;
  } else if (zl.reset(&s->z) != Z_OK) {
    napi_throw_error(env, NULL, "zlib deflateReset failed");
    return NULL;
  }
  s->z.next_in = raw;
  s->z.avail_in = (uInt)rawLen;
  s->z.next_out = (Bytef *)out + (size_t)at;
  s->z.avail_out = (uInt)(outLen - (size_t)at);
  int r = zl.deflate(&s->z, Z_FINISH);
  size_t end = (size_t)(s->z.next_out - (Bytef *)out);
  s->z.next_in = NULL;
  s->z.next_out = NULL;
  if (r != Z_STREAM_END) return number(env, -1);
  return number(env, (double)end);
}

static napi_value js_version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_string_utf8(env, zl.version(), NAPI_AUTO_LENGTH, &v);
  return v;
}

NAPI_MODULE_INIT() {
  /* no system zlib: no functions, and deflater.ts keeps pako */
  if (!load_zlib()) return exports;
  State *s = calloc(1, sizeof *s);
  if (!s || napi_set_instance_data(env, s, state_free, NULL) != napi_ok) {
    free(s);
    return exports;
  }
  napi_value f;
  napi_create_function(env, "deflateInto", NAPI_AUTO_LENGTH, js_deflate_into, NULL, &f);
  napi_set_named_property(env, exports, "deflateInto", f);
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, js_version, NULL, &f);
  napi_set_named_property(env, exports, "version", f);
  return exports;
}
