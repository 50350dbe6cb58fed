"""The draft analysis document of an extension request, as DOCX (python-docx) and PDF
(WeasyPrint), in the committee's usual structure: each text section of the analysis
version (``models.ANALYSIS_SECTIONS``, in order), followed by the tables and charts the data
gives for it (plan against result, projection, money, cooperation, flags, requirements).

Both formats are built from one description (``build``) in the document's language (EN, FR
or ES), as ``reporting.exchange.documents`` does for Article 7 reports. A published analysis
is made with what the public may see (no confidential flow or record shows through it); a
draft with what its reader may see. Synthetic data is labelled on the cover and in the
footer. PDF charts are the site's SVG charts; DOCX charts are PNG images drawn here; the
figures of every chart are in a table beside it.

``analysis_pdf(request, analysis_version, user=None, language=None)`` and
``analysis_docx(...)`` give the file's bytes.
"""

from minefree.clearance.documents.content import AnalysisDoc, build, figures
from minefree.clearance.documents.formats import analysis_docx, analysis_pdf, png_chart

__all__ = ["AnalysisDoc", "analysis_docx", "analysis_pdf", "build", "figures", "png_chart"]
