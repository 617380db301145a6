;; hostile: component servo-sweep
;; Asks the servo for 181 degrees.
(module
  (import "embedded:platform/servo" "set-angle" (func $angle (param i32)))
  (func (export "run") (call $angle (i32.const 181))))
