from django.urls import path

from readiness import views

app_name = "readiness"
urlpatterns = [
    path("", views.hub, name="hub"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/versions/new/", views.version_new, name="version_new"),
    path("versions/<int:pk>/approve/", views.version_approve, name="version_approve"),
    path("versions/<int:pk>/review/", views.version_review, name="version_review"),
    path("versions/<int:pk>/file/", views.version_file, name="version_file"),
    path("drills/", views.drill_list, name="drills"),
    path("drills/plans/new/", views.drill_plan_new, name="drill_plan_new"),
    path("drills/new/", views.drill_new, name="drill_new"),
    path("drills/<int:pk>/", views.drill_detail, name="drill"),
    path("drills/<int:pk>/record/", views.drill_record, name="drill_record"),
    path("drills/<int:pk>/items/new/", views.rectification_new, name="rectification_new"),
    path("items/<int:pk>/done/", views.rectification_done, name="rectification_done"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/finalize/", views.assessment_finalize, name="assessment_finalize"),
    path("assessments/<int:pk>/actions/new/", views.improvement_new, name="improvement_new"),
    path("actions/<int:pk>/done/", views.improvement_done, name="improvement_done"),
    path("training/", views.course_list, name="courses"),
    path("training/new/", views.course_new, name="course_new"),
    path("training/<int:pk>/", views.course_detail, name="course"),
    path("people/<int:pk>/training/", views.person_training, name="person_training"),
]
