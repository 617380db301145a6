;; hostile: component blinky
;; Calls a func(i32) -> i32 through the table as a func().
(module
  (type $nullary (func))
  (func $unary (param i32) (result i32) (local.get 0))
  (table 1 funcref)
  (elem (i32.const 0) $unary)
  (func (export "run") (call_indirect (type $nullary) (i32.const 0))))
