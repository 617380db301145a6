;; A core module shaped like a guest before `wasm-tools component new`:
;; loading it as a component must fail with a clear error.
(module
  (import "embedded:platform/gpio" "set-high" (func $set_high (param i32)))
  (func (export "run") (call $set_high (i32.const 25))))
