"""Template builders per vertical: each turns a :class:`~offline.samplegen.context.Ctx` into a Doc."""
