# SPDX-License-Identifier: MIT
"""go-mirror internals (see scripts/go-mirror)."""
