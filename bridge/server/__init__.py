"""The parts of the engine's OSC server (bridge.osc_server.Engine), one module per concern; see bridge/osc_server.py."""
