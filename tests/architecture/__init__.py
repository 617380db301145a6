"""Architecture checks: the layers contract, import cycles, module size."""
