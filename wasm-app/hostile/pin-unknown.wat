;; hostile: component blinky
;; Drives GPIO99, which the RP2350 does not have.
(module
  (import "embedded:platform/gpio" "set-high" (func $high (param i32)))
  (func (export "run") (call $high (i32.const 99))))
