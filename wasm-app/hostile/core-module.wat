;; hostile: core
;; A core module, never wrapped as a component.
(module
  (func (export "run")))
