"""HJ 212-2017 TCP receiver: devices push packets, the receiver lands them durably (see README.md)."""
