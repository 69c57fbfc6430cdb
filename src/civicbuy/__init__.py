"""CivicBuy: strategic, sustainable and social-purpose procurement for cities."""

__version__ = "0.1.0"
