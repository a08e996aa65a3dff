/** OpesCare's own example shape, with a code its table pairs with 404 ("patient_not_found | 404 | ..."). */
export const OPESCARE_404 = { error: 'patient_not_found', message: 'No patient with health ID OPC-2024-99999.', status: 404 };

/** The same body whose `status` member disagrees with the HTTP status 404: breaks opescare.status-field, and nothing else. */
export const OPESCARE_404_WRONG_STATUS_FIELD = { ...OPESCARE_404, status: 400 };
