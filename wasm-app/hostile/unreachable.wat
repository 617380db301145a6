;; hostile: component blinky
(module
  (func (export "run") unreachable))
