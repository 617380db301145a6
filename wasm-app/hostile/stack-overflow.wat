;; hostile: component blinky
;; Recurses with no end until the interpreter's 16 KiB Wasm stack is used up.
(module
  (func $down (param i32) (result i32)
    (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "run") (drop (call $down (i32.const 0)))))
