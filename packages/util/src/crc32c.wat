;; CRC32C (Castagnoli), slicing-by-8: the 8 tables of 256 words are at 0..8191 (filled by the host).
;; Assembled with wabt (wat2wasm crc32c.wat) and inlined as base64 in crc32c-wasm.ts.
(module
  (memory (export "mem") 1)
  ;; the running (inverted) CRC c continued over [p, end)
  (func $run (param $c i32) (param $p i32) (param $end i32) (result i32)
    (local $a i32) (local $b i32)
    (block $done8
      (loop $l8
        (br_if $done8 (i32.gt_s (local.get $p) (i32.sub (local.get $end) (i32.const 8))))
        (local.set $a (i32.xor (i32.load (local.get $p)) (local.get $c)))
        (local.set $b (i32.load offset=4 (local.get $p)))
        (local.set $c
          (i32.xor
            (i32.xor
              (i32.xor (i32.load offset=7168 (i32.and (i32.shl (local.get $a) (i32.const 2)) (i32.const 1020)))
                       (i32.load offset=6144 (i32.and (i32.shr_u (local.get $a) (i32.const 6)) (i32.const 1020))))
              (i32.xor (i32.load offset=5120 (i32.and (i32.shr_u (local.get $a) (i32.const 14)) (i32.const 1020)))
                       (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $a) (i32.const 24)) (i32.const 2)))))
            (i32.xor
              (i32.xor (i32.load offset=3072 (i32.and (i32.shl (local.get $b) (i32.const 2)) (i32.const 1020)))
                       (i32.load offset=2048 (i32.and (i32.shr_u (local.get $b) (i32.const 6)) (i32.const 1020))))
              (i32.xor (i32.load offset=1024 (i32.and (i32.shr_u (local.get $b) (i32.const 14)) (i32.const 1020)))
                       (i32.load (i32.shl (i32.shr_u (local.get $b) (i32.const 24)) (i32.const 2)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $l8)))
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.xor
           (i32.load (i32.shl (i32.and (i32.xor (local.get $c) (i32.load8_u (local.get $p))) (i32.const 255)) (i32.const 2)))
           (i32.shr_u (local.get $c) (i32.const 8))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l1)))
    (local.get $c))
  ;; CRC32C of the n bytes at p
  (func (export "crc") (param $p i32) (param $n i32) (result i32)
    (i32.xor (call $run (i32.const -1) (local.get $p) (i32.add (local.get $p) (local.get $n))) (i32.const -1)))
  ;; CRC32C of each of n buffers listed at l as (offset, length) word pairs; each CRC replaces its
  ;; length. Three buffers at a time, interleaved (independent chains keep the CPU busy).
  (func (export "crcs") (param $l i32) (param $n i32)
    (local $end i32) (local $m i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $c0 i32) (local $c1 i32) (local $c2 i32)
    (local $a0 i32) (local $b0 i32) (local $a1 i32) (local $b1 i32) (local $a2 i32) (local $b2 i32)
    (local.set $end (i32.add (local.get $l) (i32.shl (local.get $n) (i32.const 3))))
    (block $done3
      (loop $l3
        (br_if $done3 (i32.gt_u (i32.add (local.get $l) (i32.const 24)) (local.get $end)))
        (local.set $p0 (i32.load (local.get $l)))
        (local.set $p1 (i32.load offset=8 (local.get $l)))
        (local.set $p2 (i32.load offset=16 (local.get $l)))
        ;; m: the bytes all three have, in whole 8-byte steps
        (local.set $m (i32.load offset=4 (local.get $l)))
        (if (i32.lt_u (i32.load offset=12 (local.get $l)) (local.get $m)) (then (local.set $m (i32.load offset=12 (local.get $l)))))
        (if (i32.lt_u (i32.load offset=20 (local.get $l)) (local.get $m)) (then (local.set $m (i32.load offset=20 (local.get $l)))))
        (local.set $m (i32.add (local.get $p0) (i32.and (local.get $m) (i32.const -8))))
        (local.set $c0 (i32.const -1))
        (local.set $c1 (i32.const -1))
        (local.set $c2 (i32.const -1))
        (block $donei
          (loop $li
            (br_if $donei (i32.ge_u (local.get $p0) (local.get $m)))
        (local.set $a0 (i32.xor (i32.load (local.get $p0)) (local.get $c0)))
        (local.set $b0 (i32.load offset=4 (local.get $p0)))
        (local.set $c0
          (i32.xor
            (i32.xor
              (i32.xor (i32.load offset=7168 (i32.and (i32.shl (local.get $a0) (i32.const 2)) (i32.const 1020)))
                       (i32.load offset=6144 (i32.and (i32.shr_u (local.get $a0) (i32.const 6)) (i32.const 1020))))
              (i32.xor (i32.load offset=5120 (i32.and (i32.shr_u (local.get $a0) (i32.const 14)) (i32.const 1020)))
                       (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $a0) (i32.const 24)) (i32.const 2)))))
            (i32.xor
              (i32.xor (i32.load offset=3072 (i32.and (i32.shl (local.get $b0) (i32.const 2)) (i32.const 1020)))
                       (i32.load offset=2048 (i32.and (i32.shr_u (local.get $b0) (i32.const 6)) (i32.const 1020))))
              (i32.xor (i32.load offset=1024 (i32.and (i32.shr_u (local.get $b0) (i32.const 14)) (i32.const 1020)))
                       (i32.load (i32.shl (i32.shr_u (local.get $b0) (i32.const 24)) (i32.const 2)))))))
        (local.set $p0 (i32.add (local.get $p0) (i32.const 8)))
        (local.set $a1 (i32.xor (i32.load (local.get $p1)) (local.get $c1)))
        (local.set $b1 (i32.load offset=4 (local.get $p1)))
        (local.set $c1
          (i32.xor
            (i32.xor
              (i32.xor (i32.load offset=7168 (i32.and (i32.shl (local.get $a1) (i32.const 2)) (i32.const 1020)))
                       (i32.load offset=6144 (i32.and (i32.shr_u (local.get $a1) (i32.const 6)) (i32.const 1020))))
              (i32.xor (i32.load offset=5120 (i32.and (i32.shr_u (local.get $a1) (i32.const 14)) (i32.const 1020)))
                       (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $a1) (i32.const 24)) (i32.const 2)))))
            (i32.xor
              (i32.xor (i32.load offset=3072 (i32.and (i32.shl (local.get $b1) (i32.const 2)) (i32.const 1020)))
                       (i32.load offset=2048 (i32.and (i32.shr_u (local.get $b1) (i32.const 6)) (i32.const 1020))))
              (i32.xor (i32.load offset=1024 (i32.and (i32.shr_u (local.get $b1) (i32.const 14)) (i32.const 1020)))
                       (i32.load (i32.shl (i32.shr_u (local.get $b1) (i32.const 24)) (i32.const 2)))))))
        (local.set $p1 (i32.add (local.get $p1) (i32.const 8)))
        (local.set $a2 (i32.xor (i32.load (local.get $p2)) (local.get $c2)))
        (local.set $b2 (i32.load offset=4 (local.get $p2)))
        (local.set $c2
          (i32.xor
            (i32.xor
              (i32.xor (i32.load offset=7168 (i32.and (i32.shl (local.get $a2) (i32.const 2)) (i32.const 1020)))
                       (i32.load offset=6144 (i32.and (i32.shr_u (local.get $a2) (i32.const 6)) (i32.const 1020))))
              (i32.xor (i32.load offset=5120 (i32.and (i32.shr_u (local.get $a2) (i32.const 14)) (i32.const 1020)))
                       (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $a2) (i32.const 24)) (i32.const 2)))))
            (i32.xor
              (i32.xor (i32.load offset=3072 (i32.and (i32.shl (local.get $b2) (i32.const 2)) (i32.const 1020)))
                       (i32.load offset=2048 (i32.and (i32.shr_u (local.get $b2) (i32.const 6)) (i32.const 1020))))
              (i32.xor (i32.load offset=1024 (i32.and (i32.shr_u (local.get $b2) (i32.const 14)) (i32.const 1020)))
                       (i32.load (i32.shl (i32.shr_u (local.get $b2) (i32.const 24)) (i32.const 2)))))))
        (local.set $p2 (i32.add (local.get $p2) (i32.const 8)))
            (br $li)))
        (i32.store offset=4 (local.get $l) (i32.xor (call $run (local.get $c0) (local.get $p0)
          (i32.add (i32.load (local.get $l)) (i32.load offset=4 (local.get $l)))) (i32.const -1)))
        (i32.store offset=12 (local.get $l) (i32.xor (call $run (local.get $c1) (local.get $p1)
          (i32.add (i32.load offset=8 (local.get $l)) (i32.load offset=12 (local.get $l)))) (i32.const -1)))
        (i32.store offset=20 (local.get $l) (i32.xor (call $run (local.get $c2) (local.get $p2)
          (i32.add (i32.load offset=16 (local.get $l)) (i32.load offset=20 (local.get $l)))) (i32.const -1)))
        (local.set $l (i32.add (local.get $l) (i32.const 24)))
        (br $l3)))
    (block $done1
      (loop $l1
        (br_if $done1 (i32.ge_u (local.get $l) (local.get $end)))
        (i32.store offset=4 (local.get $l) (i32.xor (call $run (i32.const -1) (i32.load (local.get $l))
          (i32.add (i32.load (local.get $l)) (i32.load offset=4 (local.get $l)))) (i32.const -1)))
        (local.set $l (i32.add (local.get $l) (i32.const 8)))
        (br $l1))))
)
