"""North Korea in Russia's "Turn to the East": the code the course notebooks share."""

__version__ = "0.1.0"
