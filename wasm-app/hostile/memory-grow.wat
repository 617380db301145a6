;; hostile: component blinky
;; Grows its memory one page at a time until memory.grow fails (the loader
;; allows 128 KiB), asks for 65535 pages at once, then reads past the end.
(module
  (memory 1)
  (func (export "run")
    (block $full
      (loop $more
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (drop (memory.grow (i32.const 65535)))
    (drop (i32.load (i32.mul (memory.size) (i32.const 65536))))))
