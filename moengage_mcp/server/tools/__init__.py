"""The tools: one module per tool (or per family of tools), each exporting `TOOLS`.

A module holds its tool's argument and output models and the tool's body (a read tool) or its
pre-flight and execute steps (a write tool); `registry.all_tools()` finds every module here.
"""
