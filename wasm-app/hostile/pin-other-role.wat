;; hostile: component button-led
;; Drives GPIO15, the button's input, as an output.
(module
  (import "embedded:platform/gpio" "set-high" (func $high (param i32)))
  (func (export "run") (call $high (i32.const 15))))
