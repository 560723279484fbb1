"""The world simulator: organic behaviour, hard negatives and planted operations, with ground truth."""

from lockstep.simulate.config import OperationConfig, SimulationConfig
from lockstep.simulate.world import World
from lockstep.simulate.writers import SimulationResult, write_world

__all__ = ["OperationConfig", "SimulationConfig", "SimulationResult", "World", "write_world"]
