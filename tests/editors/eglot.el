;;; eglot.el --- driven by test_emacs.py  -*- lexical-binding: t -*-
;; Emacs 28 + Debian's elpa-eglot 1.9, in batch: load the README's configuration
;; ($SLS_CONFIG), open a Markdown file, start eglot as `M-x eglot' would, wait for Flymake
;; diagnostics, ask for a hover, and write what came back as JSON to $SLS_RESULT.
;; Run: emacs --batch -Q -l eglot.el
(require 'package)
;; -Q skips Debian's startup file that would make the elpa-* packages visible.
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'json)
(load (getenv "SLS_CONFIG") nil t)  ; the README block, as in an init file
(require 'flymake)
(require 'markdown-mode)
(require 'eglot)
;; An Emacs that cannot render Markdown: eglot then asks for plain-text hovers (it offers
;; Markdown only when `gfm-view-mode' exists); the buffer keeps its mode.
(when (getenv "SLS_PLAIN_HOVER") (fmakunbound 'gfm-view-mode))

(defvar sls-file (getenv "SLS_FILE"))
(defvar sls-result (getenv "SLS_RESULT"))
(defvar sls-hover-line (string-to-number (getenv "SLS_HOVER_LINE")))
(defvar sls-timeout (/ (string-to-number (or (getenv "SLS_TIMEOUT_MS") "180000")) 1000.0))

(defun sls-write (value)
  (with-temp-file sls-result
    (insert (json-encode value))))

(defun sls-diagnostic (d)
  (let ((beg (flymake-diagnostic-beg d))
        (end (flymake-diagnostic-end d)))
    `((line . ,(1- (line-number-at-pos beg)))
      (column . ,(save-excursion (goto-char beg) (current-column)))
      (end_line . ,(1- (line-number-at-pos end)))
      (type . ,(symbol-name (flymake-diagnostic-type d)))
      (text . ,(flymake-diagnostic-text d)))))

;; Set by test_emacs.py when Emacs runs in a terminal (emacs -nw) rather than in batch: once
;; the result is written, point waits before the flagged sentence and the test types, as a
;; person would, to see the hover in the echo area (ElDoc) and in the *eldoc* buffer.
(defvar sls-screen-ready (getenv "SLS_SCREEN_READY"))
(setq confirm-kill-processes nil)  ; C-x C-c with the server still running

(defun sls-run ()
  (find-file sls-file)
  (let ((started (float-time))
        (result `((major_mode . ,(symbol-name major-mode))
                  (emacs . ,emacs-version)
                  (eglot . ,(package-version-join
                             (package-desc-version (cadr (assq 'eglot package-alist))))))))
    (apply #'eglot (eglot--guess-contact))  ; M-x eglot, without its prompts
    (let ((deadline (+ (float-time) sls-timeout)))
      (while (and (null (flymake-diagnostics)) (< (float-time) deadline))
        (flymake-start)
        (accept-process-output nil 0.2)))
    (push `(diagnostics_s . ,(- (float-time) started)) result)
    (push `(diagnostics . ,(vconcat (mapcar #'sls-diagnostic (flymake-diagnostics)))) result)
    (goto-char (point-min))
    (forward-line sls-hover-line)
    (forward-char 5)
    (let* ((server (eglot-current-server))
           (hover (jsonrpc-request server :textDocument/hover
                                   (eglot--TextDocumentPositionParams)
                                   :timeout sls-timeout))
           (contents (plist-get hover :contents)))
      (push `(language_id . ,(eglot--language-id server)) result)
      (push `(hover_kind . ,(plist-get contents :kind)) result)
      (push `(hover . ,(plist-get contents :value)) result)
      ;; What eglot would show in the echo area / eldoc buffer (Markdown rendered).
      (push `(hover_rendered . ,(substring-no-properties
                                 (eglot--hover-info contents (plist-get hover :range))))
            result)
      (if sls-screen-ready
          (backward-char 1)  ; the test's C-f moves onto the sentence, and ElDoc shows it
        (eglot-shutdown server)))
    result))

(defun sls-main ()
  (condition-case err
      (progn
        (sls-write (sls-run))
        (if sls-screen-ready
            (with-temp-file sls-screen-ready (insert "ready"))
          (kill-emacs 0)))
    (error (sls-write `((error . ,(error-message-string err)))) (kill-emacs 1))))

(if noninteractive
    (sls-main)
  ;; In a terminal, from the command loop, where ElDoc's timers and the test's keys run.
  (run-with-idle-timer 0.1 nil #'sls-main))
