(module
  (memory (export "mem") 1)
  (func (export "crc") (param $p i32) (param $n i32) (result i32)
    (local $c i32) (local $end i32) (local $end8 i32) (local $a i32) (local $b i32)
    (local.set $c (i32.const -1))
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (local.set $end8 (i32.sub (local.get $end) (i32.const 8)))
    (block $done8
      (loop $l8
        (br_if $done8 (i32.gt_s (local.get $p) (local.get $end8)))
        (local.set $a (i32.xor (i32.load (local.get $p)) (local.get $c)))
        (local.set $b (i32.load offset=4 (local.get $p)))
        (local.set $c
          (i32.xor
            (i32.xor
              (i32.xor (i32.load offset=7168 (i32.shl (i32.and (local.get $a) (i32.const 255)) (i32.const 2)))
                       (i32.load offset=6144 (i32.shl (i32.and (i32.shr_u (local.get $a) (i32.const 8)) (i32.const 255)) (i32.const 2))))
              (i32.xor (i32.load offset=5120 (i32.shl (i32.and (i32.shr_u (local.get $a) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                       (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $a) (i32.const 24)) (i32.const 2)))))
            (i32.xor
              (i32.xor (i32.load offset=3072 (i32.shl (i32.and (local.get $b) (i32.const 255)) (i32.const 2)))
                       (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $b) (i32.const 8)) (i32.const 255)) (i32.const 2))))
              (i32.xor (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $b) (i32.const 16)) (i32.const 255)) (i32.const 2)))
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
    (i32.xor (local.get $c) (i32.const -1)))
)
