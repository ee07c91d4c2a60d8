"""`sentiment-ls check`: the server's analysis over files, folders or standard input, written
in the format the user asked for (`present/check_formats/`), with a linter's exit status.

One path for every run: `run` chooses the files and each file's settings (`inputs`), reads
and splits them (`inputs`, `cache`), has their sentences analysed, then judges each file
with the editor's `findings()` and reports. Only the analysis differs: `local` (the model
here, or a team service through it, with the persistent cache of `cache`) or `on_ray` (a
Ray Data job whose actors turn sentences into logits). `terminal` draws progress and says
problems; `arguments` defines the options.
"""
