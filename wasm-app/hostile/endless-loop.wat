;; hostile: component blinky
;; Spins for ever without calling the host.
(module
  (func (export "run") (loop $spin (br $spin))))
