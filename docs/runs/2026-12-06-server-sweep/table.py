# The table of this folder's runs: the table script of ../2026-12-07-pi-link, run on this folder.
import os, runpy, sys
here = os.path.dirname(os.path.abspath(__file__))
sys.argv = [sys.argv[0], here]
runpy.run_path(os.path.join(here, '..', '2026-12-07-pi-link', 'table.py'), run_name='__main__')
