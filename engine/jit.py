"""The one way engine code is compiled: cached, GIL-free, and with NumPy's error model, so that a division
by zero gives inf/NaN (which divergence checks catch) instead of raising, and loops with divisions vectorise.
No fast-math: NaN and infinity must survive to be detected."""
from numba import njit

kernel = njit(cache=True, nogil=True, error_model="numpy")
