;; hostile: component blinky
;; delay-ms(u32::MAX): about 49.7 days.
(module
  (import "embedded:platform/timing" "delay-ms" (func $delay (param i32)))
  (func (export "run") (call $delay (i32.const -1))))
