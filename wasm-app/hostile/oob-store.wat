;; hostile: component blinky
;; Stores straddling the end of its only page.
(module
  (memory 1 1)
  (func (export "run") (i32.store (i32.const 65534) (i32.const 42))))
