;; hostile: component blinky
;; Blinks once, then returns from run.
(module
  (import "embedded:platform/gpio" "set-high" (func $high (param i32)))
  (import "embedded:platform/gpio" "set-low" (func $low (param i32)))
  (import "embedded:platform/timing" "delay-ms" (func $delay (param i32)))
  (func (export "run")
    (call $high (i32.const 25)) (call $delay (i32.const 100)) (call $low (i32.const 25))))
