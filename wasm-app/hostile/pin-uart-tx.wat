;; hostile: component blinky
;; Drives GPIO0, UART0's TX pin.
(module
  (import "embedded:platform/gpio" "set-low" (func $low (param i32)))
  (func (export "run") (call $low (i32.const 0))))
