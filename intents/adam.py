"""Adam, the optimiser both halves of the semantic second opinion are fitted with (numpy, full batch, in place)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Kingma and Ba 2015, "Adam: a method for stochastic optimization": the paper's defaults.
BETA1 = 0.9
BETA2 = 0.999
EPS = 1e-8


class Adam:
    """Moment estimates for a list of arrays; each update moves the arrays themselves (in place)."""

    def __init__(self, params: Sequence[np.ndarray], learning_rate: float) -> None:
        self.params = params
        self.learning_rate = learning_rate
        self.moments = [np.zeros_like(p) for p in params]
        self.squares = [np.zeros_like(p) for p in params]
        self.steps = 0

    def update(self, grads: Sequence[np.ndarray]) -> None:
        """One step along `grads` (one per array, in the same order), with the bias-corrected moments."""
        self.steps += 1
        for k, grad in enumerate(grads):
            self.moments[k] = BETA1 * self.moments[k] + (1 - BETA1) * grad
            self.squares[k] = BETA2 * self.squares[k] + (1 - BETA2) * grad**2
            m_hat = self.moments[k] / (1 - BETA1**self.steps)
            v_hat = self.squares[k] / (1 - BETA2**self.steps)
            self.params[k] -= self.learning_rate * m_hat / (np.sqrt(v_hat) + EPS)
