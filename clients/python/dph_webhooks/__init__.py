"""Verify doc-preprocess-hub webhook deliveries. Standard library only."""

from .verify import VerificationError, Verified, verify, verify_dph, verify_standard

__all__ = ["VerificationError", "Verified", "verify", "verify_dph", "verify_standard"]
