"""``--engine dask``: the same computations, split into tasks run on a ``dask.distributed`` cluster.

:mod:`.plan` splits the input into tasks from metadata on the client, :mod:`.tasks` is what a
worker runs (it reopens its part itself), :mod:`.engine` submits them and tree-reduces their
states, :mod:`.cluster` connects to or starts a cluster. Dask is an optional extra
(``pip install 'losscli[dask]'``): nothing here is imported unless ``--engine dask`` is asked for.
"""
