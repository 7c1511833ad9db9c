/*
 * CRC32C (Castagnoli) with the SSE4.2 crc32 instruction, as a Node-API addon.
 *
 * Two functions, both bounds-checked against the typed arrays they are given:
 *   crc(buf, start, end, state)       -> the CRC32C register after buf[start, end), starting
 *                                        from `state` (0xffffffff for a new CRC; the CRC is
 *                                        its complement), unsigned
 *   ranges(buf, list, from, to, out)  -> out[i] = CRC32C of buf[list[2i], list[2i] + list[2i+1])
 *                                        for from <= i < to
 * ranges() sums three buffers at a time so the instruction's 3-cycle latency
 * overlaps; payload-sized buffers (a few hundred bytes) are where that pays.
 * `hardware` is false (and the functions are absent) where the CPU has no
 * SSE4.2 or this is not x86-64: callers then keep their portable code.
 */
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#define HAVE_HW 1

__attribute__((target("sse4.2"))) static uint32_t crc_one(uint32_t c, const uint8_t *p, size_t n) {
  uint64_t c64 = c;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c64 = _mm_crc32_u64(c64, w);
    p += 8;
    n -= 8;
  }
  c = (uint32_t)c64;
  while (n > 0) {
    c = _mm_crc32_u8(c, *p++);
    n--;
  }
  return c;
}

/* three buffers at once, 8 bytes of each per step, for as long as the shortest lasts */
__attribute__((target("sse4.2"))) static void crc_three(const uint8_t *p[3], const size_t n[3], uint32_t out[3]) {
  size_t m = n[0] < n[1] ? n[0] : n[1];
  if (n[2] < m) m = n[2];
  m &= ~(size_t)7;
  uint64_t a = 0xffffffffu, b = 0xffffffffu, c = 0xffffffffu;
  for (size_t k = 0; k < m; k += 8) {
    uint64_t wa, wb, wc;
    memcpy(&wa, p[0] + k, 8);
    memcpy(&wb, p[1] + k, 8);
    memcpy(&wc, p[2] + k, 8);
    a = _mm_crc32_u64(a, wa);
    b = _mm_crc32_u64(b, wb);
    c = _mm_crc32_u64(c, wc);
  }
  out[0] = ~crc_one((uint32_t)a, p[0] + m, n[0] - m);
  out[1] = ~crc_one((uint32_t)b, p[1] + m, n[1] - m);
  out[2] = ~crc_one((uint32_t)c, p[2] + m, n[2] - m);
}
#else
#define HAVE_HW 0
#endif

#if HAVE_HW
static napi_value fail(napi_env env, const char *msg) {
  napi_throw_range_error(env, NULL, msg);
  return NULL;
}

/* the bytes of a typed array argument of the given type */
static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool is;
  napi_typedarray_type t;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  if (napi_get_typedarray_info(env, v, &t, len, data, NULL, NULL) != napi_ok || t != want) return 0;
  return 1;
}

static int integer(napi_env env, napi_value v, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  if (!(d >= 0 && d <= 9007199254740991.0) || d != (double)(int64_t)d) return 0;
  *out = (int64_t)d;
  return 1;
}

static napi_value js_crc(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4)
    return fail(env, "crc(buf, start, end, state)");
  void *data;
  size_t len;
  int64_t start, end;
  uint32_t state;
  if (!typed(env, argv[0], napi_uint8_array, &data, &len)) return fail(env, "crc: buf must be a Uint8Array");
  if (!integer(env, argv[1], &start) || !integer(env, argv[2], &end) || start > end || (uint64_t)end > len)
    return fail(env, "crc: range outside the buffer");
  if (napi_get_value_uint32(env, argv[3], &state) != napi_ok) return fail(env, "crc: state must be a number");
  napi_value r;
  napi_create_uint32(env, crc_one(state, (const uint8_t *)data + start, (size_t)(end - start)), &r);
  return r;
}

static napi_value js_ranges(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5)
    return fail(env, "ranges(buf, list, from, to, out)");
  void *bd, *ld, *od;
  size_t blen, llen, olen;
  int64_t from, to;
  if (!typed(env, argv[0], napi_uint8_array, &bd, &blen)) return fail(env, "ranges: buf must be a Uint8Array");
  if (!typed(env, argv[1], napi_int32_array, &ld, &llen)) return fail(env, "ranges: list must be an Int32Array");
  if (!typed(env, argv[4], napi_uint32_array, &od, &olen)) return fail(env, "ranges: out must be a Uint32Array");
  if (!integer(env, argv[2], &from) || !integer(env, argv[3], &to) || from > to || (uint64_t)to > olen ||
      (uint64_t)to * 2 > llen)
    return fail(env, "ranges: from/to outside list or out");
  const uint8_t *buf = (const uint8_t *)bd;
  const int32_t *list = (const int32_t *)ld;
  uint32_t *out = (uint32_t *)od;
  /* every range checked before any is summed */
  for (int64_t i = from; i < to; i++) {
    int64_t s = list[2 * i], n = list[2 * i + 1];
    if (s < 0 || n < 0 || (uint64_t)(s + n) > blen) return fail(env, "ranges: a range lies outside the buffer");
  }
  int64_t i = from;
  for (; i + 3 <= to; i += 3) {
    const uint8_t *p[3] = {buf + list[2 * i], buf + list[2 * i + 2], buf + list[2 * i + 4]};
    const size_t n[3] = {(size_t)list[2 * i + 1], (size_t)list[2 * i + 3], (size_t)list[2 * i + 5]};
    crc_three(p, n, out + i);
  }
  for (; i < to; i++) out[i] = ~crc_one(0xffffffffu, buf + list[2 * i], (size_t)list[2 * i + 1]);
  return NULL;
}
#endif

static napi_value init(napi_env env, napi_value exports) {
  int hw = 0;
#if HAVE_HW
  __builtin_cpu_init();
  hw = __builtin_cpu_supports("sse4.2");
  if (hw) {
    napi_value f;
    napi_create_function(env, "crc", NAPI_AUTO_LENGTH, js_crc, NULL, &f);
    napi_set_named_property(env, exports, "crc", f);
    napi_create_function(env, "ranges", NAPI_AUTO_LENGTH, js_ranges, NULL, &f);
    napi_set_named_property(env, exports, "ranges", f);
  }
#endif
  napi_value b;
  napi_get_boolean(env, hw != 0, &b);
  napi_set_named_property(env, exports, "hardware", b);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
