;; hostile: raw
;; A component that needs an ADC interface the platform does not have.
(component
  (import "embedded:platform/adc" (instance $adc
    (export "read" (func (param "channel" u32) (result u16)))))
  (core func $read (canon lower (func $adc "read")))
  (core module $m
    (import "adc" "read" (func $read (param i32) (result i32)))
    (func (export "run") (drop (call $read (i32.const 0)))))
  (core instance $i (instantiate $m (with "adc" (instance (export "read" (func $read))))))
  (func (export "run") (canon lift (core func $i "run"))))
