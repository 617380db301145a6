;; hostile: raw
;; Imports gpio with a function the platform does not have.
(component
  (import "embedded:platform/gpio" (instance $gpio
    (export "toggle" (func (param "pin" u32)))))
  (core func $toggle (canon lower (func $gpio "toggle")))
  (core module $m
    (import "gpio" "toggle" (func $toggle (param i32)))
    (func (export "run") (call $toggle (i32.const 25))))
  (core instance $i (instantiate $m (with "gpio" (instance (export "toggle" (func $toggle))))))
  (func (export "run") (canon lift (core func $i "run"))))
