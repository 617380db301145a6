;; hostile: component blinky
;; Calls gpio.set-high(25) in a tight loop, never sleeping.
(module
  (import "embedded:platform/gpio" "set-high" (func $high (param i32)))
  (func (export "run") (loop $again (call $high (i32.const 25)) (br $again))))
