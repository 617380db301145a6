;; hostile: component uart-echo
;; Writes 'x' to UART0 for ever, never reading.
(module
  (import "embedded:platform/uart" "write-byte" (func $put (param i32)))
  (func (export "run") (loop $again (call $put (i32.const 120)) (br $again))))
