;; hostile: component blinky
;; Loads 4 bytes at 1 MiB, far past its one 64 KiB page.
(module
  (memory 1 1)
  (func (export "run") (drop (i32.load (i32.const 0x100000)))))
