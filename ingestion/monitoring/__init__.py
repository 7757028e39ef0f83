"""Monitoring networks: HJ 212-2017 packets from automatic stations and online devices."""
