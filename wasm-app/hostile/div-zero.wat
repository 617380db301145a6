;; hostile: component blinky
;; Integer division by a zero the compiler cannot see.
(module
  (global $zero (mut i32) (i32.const 0))
  (func (export "run") (drop (i32.div_u (i32.const 7) (global.get $zero)))))
