"""A driver that prints the trace context Kindling gave it (TracingIT)."""
import os

print("TRACEPARENT=" + os.environ.get("TRACEPARENT", ""), flush=True)
