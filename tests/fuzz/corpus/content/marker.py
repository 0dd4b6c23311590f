TOKEN = 'dG9rOm-placeholder'  # intercept:allow
