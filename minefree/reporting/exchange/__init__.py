"""Reports in and out: the XLSX template and its import (one workbook, bulk batches,
the synthetic history), and the PDF/DOCX/JSON documents of a version."""
