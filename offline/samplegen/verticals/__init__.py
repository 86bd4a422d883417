"""Template builders per vertical: each turns a :class:`~mailstencil.offline.samplegen.context.Ctx` into a
Doc."""
