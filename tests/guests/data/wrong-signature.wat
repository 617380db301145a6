;; A component that imports gpio.set-high with a u64 pin instead of u32.
(component
  (import "embedded:platform/gpio" (instance $gpio
    (export "set-high" (func (param "pin" u64)))))
  (core func $set_high (canon lower (func $gpio "set-high")))
  (core module $m
    (import "gpio" "set-high" (func $set_high (param i64)))
    (func (export "run") (call $set_high (i64.const 25))))
  (core instance $i (instantiate $m (with "gpio" (instance (export "set-high" (func $set_high))))))
  (func (export "run") (canon lift (core func $i "run"))))
